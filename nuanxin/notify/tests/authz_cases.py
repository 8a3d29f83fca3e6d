"""Authorization cases of the notification centre: every signed-in user sees only their own."""

from nuanxin.notify.services import notify
from tests.authz import Case


def cases(p) -> list[Case]:
    mine = notify(recipient=p.yi, kind="test.authz", occasion="1", title="给乙的通知")
    notify(recipient=p.care, kind="test.authz", occasion="2", title="给联系人的通知")  # for "mark all read"
    return [
        Case("notify:list", allowed=p.viewer),
        Case(
            "notify:mark_read",
            kwargs={"pk": mine.pk},
            method="post",
            allowed=p.yi,
            other_org=p.bing,  # someone else's notification: 404, unchanged
        ),
        Case("notify:mark_all_read", method="post", allowed=p.care),
    ]
