"""The audit labels of the catalogue area (suppliers, pickup points, families' points, offers)."""

from django.utils.translation import gettext_lazy as _

from nuanxin.core.auditlabels import Labels
from nuanxin.produce.choices import OfferStatus

LABELS = Labels(
    actions={
        "produce.supplier.create": _("Produce supplier added"),
        "produce.supplier.update": _("Produce supplier changed"),
        "produce.point.create": _("Pickup point added"),
        "produce.point.update": _("Pickup point changed"),
        "produce.family_point.choose": _("Family's pickup point chosen"),
        "produce.offer.create": _("Weekly produce offer created"),
        "produce.offer.update": _("Weekly produce offer changed"),
        "produce.offer.open": _("Weekly produce offer opened for orders"),
        "produce.offer.copy": _("Weekly produce offer copied from another week"),
        "produce.item.add": _("Item added to a produce offer"),
        "produce.item.update": _("Item of a produce offer changed"),
        "produce.item.remove": _("Item removed from a produce offer"),
    },
    object_types={
        "produce.supplier": _("Produce supplier"),
        "produce.pickuppoint": _("Pickup point"),
        "produce.familypoint": _("Family's pickup point"),
        "produce.offer": _("Weekly produce offer"),
        "produce.offeritem": _("Item of a produce offer"),
    },
    detail_keys={
        "point": _("Pickup point"),
        "cap": _("Cap per family per week"),
        "offer": _("Offer"),
        "price": _("Price"),
        "subsidised_price": _("Subsidised price"),
        "copied_from": _("Copied from"),
        "item_count": _("Items"),
    },
    action_values={"produce.offer.open": {"from": OfferStatus, "to": OfferStatus}},
)
