"""SMS backends: console, file, and the provider's HTTP API with an injected transport."""

import base64
import hashlib
import hmac
import io
import json

import pytest

from nuanxin.notify import sms

MESSAGE = sms.SmsMessage(
    to="+86 139-0000-1234",
    template="care_week_due",
    params={"count": 3, "week": "2020-W06"},
    text="本周3户",
    out_id="k1",
)


def test_national_number():
    assert sms.national_number("+8613900001234") == "13900001234"
    assert sms.national_number("139 0000 1234") == "13900001234"
    with pytest.raises(sms.SmsError) as exc:
        sms.national_number("0532-8888888")
    assert exc.value.permanent
    assert str(exc.value) == "not a mainland mobile number: …8888"  # never the whole number


def test_console_backend():
    stream = io.StringIO()
    sms.ConsoleBackend(stream=stream).send(MESSAGE)
    line = stream.getvalue()
    assert line.startswith("[SMS] ")
    record = json.loads(line[6:])
    assert (record["to"], record["template"], record["params"], record["text"]) == (
        "139****1234",  # masked like every log line
        "care_week_due",
        {"count": 3, "week": "2020-W06"},
        "本周3户",
    )


def test_file_backend_appends_json_lines(tmp_path):
    path = tmp_path / "out" / "sms.jsonl"
    backend = sms.FileBackend(path=path)
    first = backend.send(MESSAGE)
    backend.send(MESSAGE)
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    assert [x["template"] for x in lines] == ["care_week_due", "care_week_due"] and lines[0]["id"] == first


def test_get_backend_follows_settings(settings):
    settings.NUANXIN_SMS_BACKEND = "nuanxin.notify.sms.ConsoleBackend"
    assert isinstance(sms.get_backend(), sms.ConsoleBackend)


class FakeTransport:
    def __init__(self, status=200, answer=None, error=None):
        self.status, self.answer, self.error = status, answer, error
        self.requests = []

    def __call__(self, url, headers, body, timeout):
        self.requests.append((url, headers, body, timeout))
        if self.error:
            raise self.error
        return self.status, json.dumps(self.answer or {"Code": "OK", "BizId": "biz-1"}).encode()


CONFIG = {
    "URL": "https://sms.example.test/v1/send",
    "ACCESS_KEY": "AK1",
    "SECRET": "s3cret",
    "SIGN_NAME": "青岛市总工会",
}
TEMPLATES = {"care_week_due": "SMS_200001"}


def test_provider_sends_template_id_and_parameters_signed():
    transport = FakeTransport()
    backend = sms.ProviderBackend(config=CONFIG, templates=TEMPLATES, transport=transport)
    assert backend.send(MESSAGE) == "biz-1"
    url, headers, body, timeout = transport.requests[0]
    assert url == CONFIG["URL"] and timeout == 10.0
    payload = json.loads(body)
    assert payload == {
        "PhoneNumbers": "13900001234",
        "SignName": "青岛市总工会",
        "TemplateCode": "SMS_200001",
        "TemplateParam": json.dumps({"count": "3", "week": "2020-W06"}, ensure_ascii=False),
        "OutId": "k1",
    }
    assert headers["X-Nx-Access-Key"] == "AK1"
    expected = "\n".join(
        ["POST", "/v1/send", headers["X-Nx-Timestamp"], headers["X-Nx-Nonce"], hashlib.sha256(body).hexdigest()]
    )
    signature = base64.b64encode(hmac.new(b"s3cret", expected.encode(), hashlib.sha256).digest()).decode()
    assert headers["X-Nx-Signature"] == signature
    assert "s3cret" not in json.dumps(headers)


@pytest.mark.parametrize(
    "transport, permanent",
    [
        (FakeTransport(status=503), False),
        (FakeTransport(status=429), False),
        (FakeTransport(answer={"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发流控"}), False),
        (FakeTransport(answer={"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "号码错误"}), True),
        (FakeTransport(status=400, answer={"Code": "SignatureDoesNotMatch"}), True),
        (FakeTransport(error=sms.SmsError("unreachable")), False),
    ],
)
def test_provider_errors_say_whether_to_retry(transport, permanent):
    backend = sms.ProviderBackend(config=CONFIG, templates=TEMPLATES, transport=transport)
    with pytest.raises(sms.SmsError) as exc:
        backend.send(MESSAGE)
    assert exc.value.permanent is permanent


def test_provider_without_template_id_or_url_is_a_permanent_error():
    with pytest.raises(sms.SmsError) as exc:
        sms.ProviderBackend(config=CONFIG, templates={}, transport=FakeTransport()).send(MESSAGE)
    assert exc.value.permanent
    with pytest.raises(sms.SmsError) as exc:
        sms.ProviderBackend(config={**CONFIG, "URL": ""}, templates=TEMPLATES, transport=FakeTransport()).send(MESSAGE)
    assert exc.value.permanent


def test_urllib_transport_refuses_other_schemes():
    with pytest.raises(sms.SmsError):
        sms.urllib_transport("file:///etc/passwd", {}, b"", 1)
