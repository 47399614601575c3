"""The setup UI (UCC's built bundle) in headless chromium, behind the Splunk Web stand-in; every save goes through
the add-on's real REST handlers (the UCC-generated ones and ``openai_audit_rh_account.py``) run as splunkd runs
them, the account check calls the API simulator, and an input's server-side check is the built script's
``--validate-arguments``. Messages are compared with what our code produces for the same values (computed here
with ``oai_audit`` / the input helper), never with hard-coded texts.

Behaviour stood for: UCC 6.6's pages as documented (Configuration tabs, Inputs table, Add dialogs, client-side
validators of globalConfig.json), Splunk Web's writes (form-encoded body, ``X-Splunk-Form-Key`` = the CSRF cookie)."""
from __future__ import annotations

import json
import time
from typing import Any, Dict, List, Optional

import pytest

from oai_audit.account import check_account
from oai_audit.errors import ConfigError
from oai_sim import faults
from splunkweb import CSRF_COOKIE
from ui_support import ACCOUNT_CONF, KEY, ROOT, SETTINGS_CONF, UiStack, splunk_error_text, ucc_message

import openai_audit_helper as helper

pytestmark = pytest.mark.ui
ACCOUNTS = "ta_openai_audit_account"
INPUTS = "ta_openai_audit_openai_audit"


def client_messages(field_name: str) -> List[str]:
    """The errorMsg texts of an account field's client-side validators (globalConfig.json)."""
    tabs = json.loads((ROOT / "globalConfig.json").read_text())["pages"]["configuration"]["tabs"]
    entity = next(e for t in tabs if t.get("name") == "account" for e in t["entity"] if e["field"] == field_name)
    return [v["errorMsg"] for v in entity.get("validators", []) if v.get("errorMsg")]


def field(scope: Any, name: str) -> Any:
    return scope.locator(f'[data-test="control-group"][data-name="{name}"]')


def open_config(page: Any, stack: UiStack, tab: Optional[str] = None) -> None:
    page.goto(stack.url("configuration"))
    page.get_by_role("row", name="row-prod_account").wait_for()
    if tab:
        page.get_by_role("tab", name=tab).click()


def open_add_account(page: Any, stack: UiStack) -> Any:
    open_config(page, stack)
    page.get_by_role("button", name="Add").click()
    dialog = page.get_by_role("dialog")
    field(dialog, "name").locator("input").wait_for()
    return dialog


def fill_account(dialog: Any, name: str, key: str, base_url: str) -> None:
    field(dialog, "name").locator("input").fill(name)
    field(dialog, "api_key").locator("input").fill(key)
    field(dialog, "base_url").locator("input").fill(base_url)


def our_account_message(payload: Dict[str, str]) -> str:
    """What oai_audit.account.check_account says for these values (the handler raises exactly this)."""
    try:
        check_account(payload, saved=None, proxy_url=None, allow_custom=True)  # the stack allows custom URLs
    except ConfigError as exc:
        return str(exc)
    raise AssertionError(f"check_account accepted {sorted(payload)}")


def posts(stack: UiStack, endpoint: str) -> List[Any]:
    return stack.web.requests_to(f"/{endpoint}", "POST")


def wait_for_posts(page: Any, stack: UiStack, endpoint: str, n: int, timeout: float = 30.0) -> List[Any]:
    """The answered POSTs to an endpoint once there are ``n``; waits in the page (Playwright routes the page's
    requests through this process, so a plain sleep would stall them)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [r for r in posts(stack, endpoint) if r.status]
        if len(done) >= n:
            return done
        page.wait_for_timeout(50)
    raise AssertionError(f"expected {n} answered POST(s) to {endpoint}")


# ---- Configuration and Inputs render what is stored ----------------------------------------------------------

def test_configuration_and_inputs_render_the_seeded_rows(page: Any, stack: UiStack) -> None:
    open_config(page, stack)
    for name in ("prod_account", "research_account"):
        row = page.get_by_role("row", name=f"row-{name}")
        assert stack.sim.base_url in row.inner_text()
    page.goto(stack.url("inputs"))
    for name, account in (("prod_org", "prod_account"), ("research_org", "research_account")):
        row = page.get_by_role("row", name=f"row-{name}")
        row.wait_for()
        assert account in row.inner_text()
    page.get_by_text("Build Time:").wait_for()  # the footer's `| rest` search went through the job API
    assert "Build Error" not in page.inner_text("body")


def test_logging_loads_and_saves(page: Any, stack: UiStack) -> None:
    open_config(page, stack, "Logging")
    level = field(page, "loglevel")
    level.get_by_text("INFO").wait_for()
    level.locator("button").first.click()
    page.get_by_role("option", name="DEBUG").click()
    page.get_by_role("button", name="Save").click()
    saved = wait_for_posts(page, stack, "ta_openai_audit_settings/logging", 1)[-1]
    assert saved.status == 200, saved.response
    assert saved.form["loglevel"] == ["DEBUG"]
    assert stack.splunkd.get_conf(SETTINGS_CONF, "logging")["loglevel"] == "DEBUG"


def test_proxy_loads_and_saves_with_the_password_encrypted(page: Any, stack: UiStack) -> None:
    open_config(page, stack, "Proxy")
    field(page, "proxy_url").locator("input").wait_for()
    field(page, "proxy_enabled").locator('[role="checkbox"], input[type="checkbox"], button').first.click()
    field(page, "proxy_url").locator("input").fill("127.0.0.1")
    field(page, "proxy_port").locator("input").fill("3128")
    field(page, "proxy_username").locator("input").fill("squid")
    field(page, "proxy_password").locator("input").fill("proxy-secret-pw")
    page.get_by_role("button", name="Save").click()
    saved = wait_for_posts(page, stack, "ta_openai_audit_settings/proxy", 1)[-1]
    assert saved.status == 200, saved.response
    conf = stack.splunkd.get_conf(SETTINGS_CONF, "proxy")
    assert (conf["proxy_enabled"], conf["proxy_url"], conf["proxy_port"]) == ("1", "127.0.0.1", "3128")
    assert conf["proxy_password"] == "******", "the conf file holds the mask; the password is in storage/passwords"
    open_config(page, stack, "Proxy")
    field(page, "proxy_url").locator("input").wait_for()
    assert field(page, "proxy_url").locator("input").input_value() == "127.0.0.1"
    assert "proxy-secret-pw" not in page.content()
    stack.splunkd.set_conf(SETTINGS_CONF, "proxy", {"proxy_enabled": "0"})  # later tests run without a proxy


# ---- Add Account ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("key, base_url, field_name", [
    ("sk-short", None, "api_key"),              # globalConfig: 20..512 characters
    (KEY[:30] + " " + KEY[30:], None, "api_key"),  # no whitespace
    (KEY, "ftp://127.0.0.1/v1", "base_url"),    # https (or http on loopback) only
    (KEY, "http://10.1.2.3/v1", "base_url"),
])
def test_add_account_client_side_validation_sends_no_request(page: Any, stack: UiStack, key: str,
                                                              base_url: Optional[str], field_name: str) -> None:
    before = len(posts(stack, ACCOUNTS))
    dialog = open_add_account(page, stack)
    fill_account(dialog, "blocked_account", key, base_url or stack.sim.base_url)
    dialog.get_by_role("button", name="Add").click()
    messages = client_messages(field_name)
    shown = dialog.get_by_text(messages[0])
    for msg in messages[1:]:
        shown = shown.or_(dialog.get_by_text(msg))
    shown.first.wait_for()
    assert dialog.is_visible(), "the dialog stays open on a client-side error"
    assert len(posts(stack, ACCOUNTS)) == before, "an invalid field must not send a request"


def _refusal(stack: UiStack, case: str) -> Dict[str, str]:
    sim = stack.sim.base_url
    if case == "refused key":
        return {"name": "refused_key", "api_key": "sk-admin-" + "x" * 40, "base_url": sim}
    if case == "missing scope":
        return {"name": "no_scope", "api_key": KEY, "base_url": sim}
    host = sim.split("://", 1)[1]
    return {"name": "bad_url", "api_key": KEY, "base_url": f"https://user:pw@{host}"}  # passes the client regex


@pytest.mark.parametrize("case", ["refused key", "missing scope", "refused base URL"])
def test_add_account_refusals_show_our_message_in_the_dialog(page: Any, stack: UiStack, case: str) -> None:
    payload = _refusal(stack, case)
    if case == "missing scope":
        stack.sim.inject(faults.missing_scope())
    expected = our_account_message({k: v for k, v in payload.items() if k != "name"})
    if case == "missing scope":
        stack.sim.inject(faults.missing_scope())  # the one above was used by our_account_message
    before = len(posts(stack, ACCOUNTS))
    dialog = open_add_account(page, stack)
    fill_account(dialog, payload["name"], payload["api_key"], payload["base_url"])
    dialog.get_by_role("button", name="Add").click()
    answer = wait_for_posts(page, stack, ACCOUNTS, before + 1)[-1]
    assert answer.status >= 400
    assert expected in splunk_error_text(answer.response), "the handler answered with our message"
    shown = ucc_message(splunk_error_text(answer.response))
    dialog.get_by_text(expected).wait_for()
    assert expected in shown
    assert payload["name"] not in stack.splunkd.state.confs.get(ACCOUNT_CONF, {}), "nothing is saved"
    assert payload["api_key"] not in dialog.inner_text()


def test_good_key_adds_the_row_and_a_toast_and_the_key_is_never_read_back(page: Any, stack: UiStack) -> None:
    before = len(posts(stack, ACCOUNTS))
    stack.sim.clear_requests()
    dialog = open_add_account(page, stack)
    fill_account(dialog, "new_account", KEY, stack.sim.base_url)
    dialog.get_by_role("button", name="Add").click()
    page.get_by_role("row", name="row-new_account").wait_for()
    toast = page.locator('[data-test="toast-message"]')
    toast.first.wait_for()
    assert "new_account" in toast.first.inner_text()

    post = posts(stack, ACCOUNTS)[before]
    # as Splunk Web sends it: form-encoded, the CSRF cookie's value in X-Splunk-Form-Key, every text field
    assert post.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded")
    cookies = dict(c.split("=", 1) for c in post.headers.get("Cookie", "").split("; ") if "=" in c)
    assert post.headers["X-Splunk-Form-Key"] == cookies[CSRF_COOKIE] == stack.web.csrf
    assert post.form == {"name": ["new_account"], "api_key": [KEY], "base_url": [stack.sim.base_url]}
    assert post.status == 201
    limit_1 = [r for r in stack.sim.requests if r.query.get("limit") == ["1"]]
    assert len(limit_1) == 1, "saving validates with exactly one limit=1 request"

    stored = stack.splunkd.get_conf(ACCOUNT_CONF, "new_account")
    assert stored["api_key"] == "******", "the conf holds the mask; the key is in storage/passwords"
    leaks = [r.path for r in stack.web.requests if r.method == "GET" and KEY.encode() in r.response]
    assert not leaks, f"a GET returned the key: {leaks}"


# ---- Create New Input -----------------------------------------------------------------------------------------

def open_create_input(page: Any, stack: UiStack) -> Any:
    page.goto(stack.url("inputs"))
    page.get_by_role("row", name="row-prod_org").wait_for()
    page.get_by_role("button", name="Create New Input").click()
    # two input services (audit log, organization inventory): UCC's button opens a menu of them
    page.get_by_role("menuitem", name="OpenAI audit log").click()
    dialog = page.get_by_role("dialog")
    field(dialog, "name").locator("input").wait_for()
    return dialog


def choose_account(page: Any, dialog: Any, account: str) -> List[str]:
    field(dialog, "account").locator("button").first.click()
    page.get_by_role("option", name=account).wait_for()
    options = page.get_by_role("option").all_inner_texts()
    page.get_by_role("option", name=account).click()
    return options


def index_options(page: Any, dialog: Any) -> List[str]:
    box = field(dialog, "index").locator("input")
    box.fill("")
    page.get_by_role("option", name="openai").wait_for()
    options = [o.split("\n")[0] for o in page.get_by_role("option").all_inner_texts()]
    box.fill("openai")
    page.get_by_role("option", name="openai", exact=True).click()
    return options


def our_input_message(params: Dict[str, str]) -> str:
    """What the input's server-side check (openai_audit_helper.validate_input) says for these values."""
    class Definition:
        parameters = params

    try:
        helper.validate_input(Definition())  # type: ignore[arg-type]
    except ValueError as exc:
        return str(exc)
    raise AssertionError(f"validate_input accepted {params}")


@pytest.mark.parametrize("interval, start_date", [("300.5", ""), ("300", "2999-01-01")])
def test_create_input_refuses_bad_values_with_our_server_side_message(page: Any, stack: UiStack, interval: str,
                                                                      start_date: str) -> None:
    params = {"interval": interval, "start_date": start_date}
    expected = our_input_message(params)
    before = len(posts(stack, INPUTS))
    dialog = open_create_input(page, stack)
    field(dialog, "name").locator("input").fill("refused_org")
    choose_account(page, dialog, "prod_account")
    field(dialog, "interval").locator("input").fill(interval)
    field(dialog, "start_date").locator("input").fill(start_date)
    dialog.get_by_role("button", name="Add").click()
    answer = wait_for_posts(page, stack, INPUTS, before + 1)[-1]
    assert answer.status >= 400 and expected in splunk_error_text(answer.response)
    dialog.get_by_text(expected).wait_for()
    assert "openai_audit://refused_org" not in stack.splunkd.state.confs.get("inputs", {})
    assert stack.rest.validations[-1][0] == "openai_audit://refused_org", "splunkd ran the script's validation"


def test_create_input_fills_the_selects_from_rest_and_creates_the_input(page: Any, stack: UiStack) -> None:
    dialog = open_create_input(page, stack)
    field(dialog, "name").locator("input").fill("new_org")
    accounts = choose_account(page, dialog, "research_account")
    assert {"prod_account", "research_account"} <= set(accounts)
    indexes = index_options(page, dialog)
    assert {"main", "openai", "summary"} <= set(indexes) and "_internal" not in indexes  # isInternal=0 disabled=0
    field(dialog, "start_date").locator("input").fill("2026-11-01T00:00:00Z")
    dialog.get_by_role("button", name="Add").click()
    page.get_by_role("row", name="row-new_org").wait_for()
    stanza = stack.splunkd.get_conf("inputs", "openai_audit://new_org")
    assert (stanza["account"], stanza["index"], stanza["interval"]) == ("research_account", "openai", "300")
    assert stack.rest.validations[-1][0] == "openai_audit://new_org"
