"""The notice templates the app ships with (Jinja2; the merchant can edit them in settings)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TemplateSet:
    """One kind of notice: subject line, default intro, HTML part, plain-text part."""

    subject: str
    intro: str
    html: str
    text: str


# Shared pieces, pasted into each kind below so every template stands alone when edited.
_HTML_HEAD = """<!DOCTYPE html>
<html><body style="font-family: Arial, Helvetica, sans-serif; color: #222; line-height: 1.5">
<p>Hello {{ customer_name }},</p>
{% for paragraph in intro_paragraphs %}<p>{{ paragraph }}</p>
{% endfor %}"""

# The reason for a delay, then each line's old and new date (delay and consent notices).
_HTML_WAS_NOW = """{% if reason %}<p>{{ reason }}</p>
{% endif %}<table cellpadding="6" style="border-collapse: collapse; border: 1px solid #ddd">
<tr style="background: #f4f4f4"><th align="left">Item</th><th align="right">Qty</th>\
<th align="left">Was</th><th align="left">Now</th></tr>
{% for line in lines %}<tr><td>{{ line.name }}{% if line.options %}<br>{{ line.options }}\
{% endif %}<br><small>{{ line.sku }}</small></td>\
<td align="right">{{ line.qty }}</td><td>{{ line.old_eta or "-" }}</td>\
<td>{{ line.eta or "to be confirmed" }}</td></tr>
{% endfor %}</table>
"""

_HTML_LINES = """<table cellpadding="6" style="border-collapse: collapse; border: 1px solid #ddd">
<tr style="background: #f4f4f4"><th align="left">Item</th><th align="right">Qty</th>\
<th align="left">{{ eta_column }}</th></tr>
{% for line in lines %}<tr><td>{{ line.name }}{% if line.options %}<br>{{ line.options }}\
{% endif %}<br><small>{{ line.sku }}</small></td>\
<td align="right">{{ line.qty }}</td><td>{{ line.eta or "to be confirmed" }}</td></tr>
{% endfor %}</table>"""

_HTML_FOOT = """<p>Order #{{ order_id }}, placed {{ order_date }}.\
{% if order_url %} <a href="{{ order_url }}">See your order</a>.{% endif %}</p>
<p>Thank you for your patience,<br>{{ store_name }}\
{% if shop_contact %}<br>{{ shop_contact }}{% endif %}</p>
</body></html>
"""

_TEXT_HEAD = """Hello {{ customer_name }},

{% for paragraph in intro_paragraphs %}{{ paragraph }}

{% endfor %}"""

_TEXT_LINES = """{% for line in lines %}- {{ line.qty }} x {{ line.name }}\
{% if line.options %}, {{ line.options }}{% endif %} ({{ line.sku }}): \
{{ line.eta or "to be confirmed" }}
{% endfor %}"""

_TEXT_FOOT = """
Order #{{ order_id }}, placed {{ order_date }}.
{% if order_url %}See your order: {{ order_url }}
{% endif %}
Thank you for your patience,
{{ store_name }}
{% if shop_contact %}{{ shop_contact }}
{% endif %}"""

CONFIRMATION = TemplateSet(
    subject=(
        "Your order #{{ order_id }}: "
        "{% if eta_known %}expected {{ eta }}{% else %}on backorder{% endif %}"
    ),
    intro=(
        "Thank you for your order. Some of your items are on backorder, and we want you to "
        "know when to expect them."
    ),
    html=_HTML_HEAD
    + _HTML_LINES.replace("{{ eta_column }}", "Expected")
    + """
{% if eta_known %}<p>We expect to ship these items by <strong>{{ eta }}</strong>.</p>
{% else %}<p>We do not have a date yet: we will tell you as soon as we know.</p>
{% endif %}"""
    + _HTML_FOOT,
    text=_TEXT_HEAD
    + _TEXT_LINES
    + """
{% if eta_known %}We expect to ship these items by {{ eta }}.
{% else %}We do not have a date yet: we will tell you as soon as we know.
{% endif %}"""
    + _TEXT_FOOT,
)

DELAY = TemplateSet(
    subject=(
        "Your order #{{ order_id }} is delayed{% if eta_known %}: now expected {{ eta }}{% endif %}"
    ),
    intro=(
        "We are sorry: some of the items you are waiting for will reach you later than we told you."
    ),
    html=_HTML_HEAD
    + _HTML_WAS_NOW
    + """<p>What would you like us to do?</p>
<ul>
<li><strong>Wait</strong> for the whole order: you need do nothing.</li>
<li><strong>Ship what is in stock</strong> now and the rest when it arrives.</li>
<li><strong>Cancel</strong> the delayed items for a full refund.</li>
</ul>
<p>Just reply to this email to tell us.</p>
"""
    + _HTML_FOOT,
    text=_TEXT_HEAD
    + """{% if reason %}{{ reason }}

{% endif %}{% for line in lines %}- {{ line.qty }} x {{ line.name }} ({{ line.sku }}): \
was {{ line.old_eta or "-" }}, now {{ line.eta or "to be confirmed" }}
{% endfor %}
What would you like us to do?
- Wait for the whole order: you need do nothing.
- Ship what is in stock now and the rest when it arrives.
- Cancel the delayed items for a full refund.
Just reply to this email to tell us.
"""
    + _TEXT_FOOT,
)

# A consent request (US FTC Mail Order Rule, domain.consent): a later delay, or one without a
# revised date. It says the revised date if known, the right to cancel for a full refund, and
# that without the customer's consent by the reply-by day the order is cancelled and refunded.
_CONSENT_WHEN = """{% if eta_known %}Our new expected date is <strong>{{ eta }}</strong>.\
{% else %}We cannot give you a new date yet.{% endif %}"""

CONSENT = TemplateSet(
    subject=("Your order #{{ order_id }} is delayed: please reply by {{ reply_by }} to keep it"),
    intro=(
        "We are sorry: the items you are waiting for are delayed, and we need your "
        "agreement before we keep your order open."
    ),
    html=_HTML_HEAD
    + _HTML_WAS_NOW
    + """<p>"""
    + _CONSENT_WHEN
    + """</p>
<p>Please reply to this email by <strong>{{ reply_by }}</strong>:</p>
<ul>
<li><strong>Keep</strong>: you agree to wait{% if eta_known %} until {{ eta }}{% endif %}.</li>
<li><strong>Cancel</strong>: we cancel the delayed items and refund them in full.</li>
</ul>
<p>You may cancel for a full refund at any time before we ship. <strong>If we do not hear \
from you by {{ reply_by }}, we will cancel the delayed items and refund them in full.</strong></p>
"""
    + _HTML_FOOT,
    text=_TEXT_HEAD
    + """{% if reason %}{{ reason }}

{% endif %}{% for line in lines %}- {{ line.qty }} x {{ line.name }} ({{ line.sku }}): \
was {{ line.old_eta or "-" }}, now {{ line.eta or "to be confirmed" }}
{% endfor %}
"""
    + _CONSENT_WHEN.replace("<strong>", "").replace("</strong>", "")
    + """

Please reply to this email by {{ reply_by }}:
- Keep: you agree to wait{% if eta_known %} until {{ eta }}{% endif %}.
- Cancel: we cancel the delayed items and refund them in full.
You may cancel for a full refund at any time before we ship. If we do not hear from you by \
{{ reply_by }}, we will cancel the delayed items and refund them in full.
"""
    + _TEXT_FOOT,
)

# "On its way": a partial release says what ships now and what still waits, with its ETA, so
# the customer never takes part of an order for all of it.
RELEASED = TemplateSet(
    subject=(
        "{% if partial %}Part of your order #{{ order_id }} is on its way"
        "{% else %}Your order #{{ order_id }} is on its way{% endif %}"
    ),
    intro="Good news: items you were waiting for have arrived.",
    html=_HTML_HEAD
    + """<p>{% if partial %}<strong>On its way now</strong> (part of your order):\
{% else %}Your order is complete and on its way to you:{% endif %}</p>
<ul>
{% for line in lines %}<li>{{ line.qty }} x {{ line.name }}</li>
{% endfor %}</ul>
{% if partial %}<p><strong>Still to come</strong>: we will send it as soon as it arrives; you \
need do nothing.</p>
<ul>
{% for line in waiting_lines %}<li>{{ line.qty }} x {{ line.name }}: \
{% if line.eta %}expected {{ line.eta }}{% else %}date to be confirmed{% endif %}</li>
{% endfor %}</ul>
{% endif %}"""
    + _HTML_FOOT,
    text=_TEXT_HEAD
    + """{% if partial %}On its way now (part of your order):\
{% else %}Your order is complete and on its way to you:{% endif %}
{% for line in lines %}- {{ line.qty }} x {{ line.name }}
{% endfor %}{% if partial %}
Still to come: we will send it as soon as it arrives; you need do nothing.
{% for line in waiting_lines %}- {{ line.qty }} x {{ line.name }}: \
{% if line.eta %}expected {{ line.eta }}{% else %}date to be confirmed{% endif %}
{% endfor %}{% endif %}"""
    + _TEXT_FOOT,
)

# Check-ins: one email per customer, however many of their orders wait (orders lists them).
_CHECK_IN_HTML_LINES = """<table cellpadding="6" style="border-collapse: collapse; \
border: 1px solid #ddd">
<tr style="background: #f4f4f4"><th align="left">Item</th><th align="right">Qty</th>\
<th align="left">Expected</th></tr>
{% for line in lines %}<tr><td>{{ line.name }}<br><small>{{ line.sku }}\
{% if orders|length > 1 %}, order #{{ line.order_id }}{% endif %}</small></td>\
<td align="right">{{ line.qty }}</td><td>{{ line.eta or "to be confirmed" }}</td></tr>
{% endfor %}</table>"""

_CHECK_IN_WHEN = """{% if days_to_eta is not none and days_to_eta > 0 %}Only {{ days_to_eta }} \
day{{ "s" if days_to_eta != 1 }} to go until {{ eta }}.\
{% elif eta_known %}We expect them any day now.\
{% elif eta_passed %}The date we expected, {{ eta_passed }}, has passed: the new date is to be \
confirmed, and we will tell you as soon as we have it.\
{% else %}We will tell you as soon as we have a date.{% endif %}"""

_CHECK_IN_ORDERS = """{% if orders|length > 1 %}Your orders: {% for o in orders %}\
#{{ o.order_id }} (placed {{ o.order_date }}){{ ", " if not loop.last }}{% endfor %}.\
{% else %}Order #{{ order_id }}, placed {{ order_date }}.{% endif %}"""

CHECK_IN = TemplateSet(
    subject=(
        "Still on its way: your order{% if orders|length > 1 %}s{% endif %} "
        "{% for o in orders %}#{{ o.order_id }}{{ ', ' if not loop.last }}{% endfor %}"
    ),
    intro=(
        "Just a note to say we have not forgotten you: the items you are waiting for are "
        "still on their way to us."
    ),
    html=_HTML_HEAD
    + _CHECK_IN_HTML_LINES
    + "\n<p>"
    + _CHECK_IN_WHEN
    + "</p>\n<p>"
    + _CHECK_IN_ORDERS
    + """</p>
<p>Thank you for your patience,<br>{{ store_name }}</p>
</body></html>
""",
    text=_TEXT_HEAD
    + """{% for line in lines %}- {{ line.qty }} x {{ line.name }} ({{ line.sku }}\
{% if orders|length > 1 %}, order #{{ line.order_id }}{% endif %}): \
{{ line.eta or "to be confirmed" }}
{% endfor %}
"""
    + _CHECK_IN_WHEN
    + "\n\n"
    + _CHECK_IN_ORDERS
    + """

Thank you for your patience,
{{ store_name }}
""",
)

# Waiting items cancelled: what was cancelled, the refund (made, or to follow), what still waits.
_CANCELLED_REFUND = """{% if refund_made %}We have refunded {{ refund_amount }} to your original \
payment method; depending on your bank it can take a few days to show.\
{% elif refund_amount %}Your refund of {{ refund_amount }} follows separately.\
{% else %}You have not been charged for these items.{% endif %}"""

CANCELLED = TemplateSet(
    subject=(
        "{% if partial %}Items cancelled from your order #{{ order_id }}"
        "{% else %}Your order #{{ order_id }} is cancelled{% endif %}"
    ),
    intro="We are sorry: we cannot get these items to you, so we have cancelled them.",
    html=_HTML_HEAD
    + """{% if cancel_reason %}<p>{{ cancel_reason }}</p>
{% endif %}<p><strong>Cancelled:</strong></p>
<ul>
{% for line in lines %}<li>{{ line.qty }} x {{ line.name }} <small>{{ line.sku }}</small></li>
{% endfor %}</ul>
<p>"""
    + _CANCELLED_REFUND
    + """</p>
{% if partial %}<p><strong>Still to come</strong>: the rest of your order stays on its way; you \
need do nothing.</p>
<ul>
{% for line in waiting_lines %}<li>{{ line.qty }} x {{ line.name }}: \
{% if line.eta %}expected {{ line.eta }}{% else %}date to be confirmed{% endif %}</li>
{% endfor %}</ul>
{% endif %}"""
    + _HTML_FOOT,
    text=_TEXT_HEAD
    + """{% if cancel_reason %}{{ cancel_reason }}

{% endif %}Cancelled:
{% for line in lines %}- {{ line.qty }} x {{ line.name }} ({{ line.sku }})
{% endfor %}
"""
    + _CANCELLED_REFUND
    + """
{% if partial %}
Still to come: the rest of your order stays on its way; you need do nothing.
{% for line in waiting_lines %}- {{ line.qty }} x {{ line.name }}: \
{% if line.eta %}expected {{ line.eta }}{% else %}date to be confirmed{% endif %}
{% endfor %}{% endif %}"""
    + _TEXT_FOOT,
)

# Good news: a date told before moved earlier (customers ahead cancelled, stock came sooner).
EARLIER = TemplateSet(
    subject="Good news: your order #{{ order_id }} is coming sooner",
    intro="Good news: the items you are waiting for will reach us sooner than we told you.",
    html=_HTML_HEAD
    + """<table cellpadding="6" style="border-collapse: collapse; border: 1px solid #ddd">
<tr style="background: #f4f4f4"><th align="left">Item</th><th align="right">Qty</th>\
<th align="left">Was</th><th align="left">Now expected</th></tr>
{% for line in lines %}<tr><td>{{ line.name }}<br><small>{{ line.sku }}</small></td>\
<td align="right">{{ line.qty }}</td><td>{{ line.old_eta or "-" }}</td>\
<td>{{ line.eta or "to be confirmed" }}</td></tr>
{% endfor %}</table>
"""
    + _HTML_FOOT,
    text=_TEXT_HEAD
    + """{% for line in lines %}- {{ line.qty }} x {{ line.name }} ({{ line.sku }}): \
was {{ line.old_eta or "-" }}, now expected {{ line.eta or "to be confirmed" }}
{% endfor %}"""
    + _TEXT_FOOT,
)

DEFAULTS: dict[str, TemplateSet] = {
    "confirmation": CONFIRMATION,
    "delay": DELAY,
    "consent": CONSENT,
    "released": RELEASED,
    "check_in": CHECK_IN,
    "cancelled": CANCELLED,
    "earlier": EARLIER,
}
