"""The notification centre page: one's own notifications, marking them read."""

from django.urls import reverse

from nuanxin.notify.models import Notification
from nuanxin.notify.services import notify


def test_list_shows_only_my_notifications(client, personas):
    notify(recipient=personas.care, kind="k", occasion="1", title="本周3户家庭待慰问", body="安一、安二", url="/care/")
    notify(recipient=personas.yi, kind="k", occasion="1", title="乙的通知")
    client.force_login(personas.care)
    response = client.get(reverse("notify:list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "本周3户家庭待慰问" in html and "安一、安二" in html and "乙的通知" not in html
    assert response.context["unread"] == 1


def test_open_and_mark_read(client, personas):
    mine = notify(recipient=personas.care, kind="k", occasion="1", title="a", url="/care/")
    other = notify(recipient=personas.yi, kind="k", occasion="1", title="b")
    client.force_login(personas.care)
    assert client.get(reverse("notify:mark_read", args=[mine.pk])).status_code == 405
    response = client.post(reverse("notify:mark_read", args=[mine.pk]), {"open": "1"})
    assert (response.status_code, response["Location"]) == (302, "/care/")
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert client.post(reverse("notify:mark_read", args=[other.pk])).status_code == 404
    assert Notification.objects.get(pk=other.pk).read_at is None
    notify(recipient=personas.care, kind="k", occasion="2", title="c")
    response = client.post(reverse("notify:mark_all_read"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("notify:list")
    assert Notification.objects.filter(recipient=personas.care, read_at__isnull=True).count() == 0


def test_each_reader_sees_the_notification_in_their_language(client, personas):
    from django.utils.translation import gettext as _

    notify(recipient=personas.care, kind="k", occasion="1", texts=lambda: (_("Notifications"), _("Mark all read")))
    note = Notification.objects.get(recipient=personas.care)
    assert note.texts == {"zh-hans": ["通知", "全部标为已读"], "en": ["Notifications", "Mark all read"]}
    assert (note.title, note.body) == ("通知", "全部标为已读")  # the default language's copy
    client.force_login(personas.care)
    client.cookies["nuanxin_language"] = "en"
    html = client.get(reverse("notify:list")).content.decode()
    assert "Mark all read</p>" in html and "全部标为已读</p>" not in html
    client.cookies["nuanxin_language"] = "zh-hans"
    html = client.get(reverse("notify:list")).content.decode()
    assert "全部标为已读</p>" in html and "Mark all read</p>" not in html
