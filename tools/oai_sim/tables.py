"""Static value tables for the event generator (realistic, but all invented; IPs are documentation ranges)."""
from __future__ import annotations

from typing import Dict, List, Tuple

# (country, city, region, region_code, asn, latitude, longitude): the shape of actor.session.ip_address_details,
# all strings as in the spec example. Coordinates are the real city centres; ASNs are real eyeball networks.
CITIES: List[Tuple[str, str, str, str, str, str, str]] = [
    ("US", "San Francisco", "California", "CA", "7922", "37.77490", "-122.41940"),
    ("US", "New York", "New York", "NY", "701", "40.71280", "-74.00600"),
    ("US", "Seattle", "Washington", "WA", "16509", "47.60620", "-122.33210"),
    ("GB", "London", "England", "ENG", "2856", "51.50740", "-0.12780"),
    ("DE", "Berlin", "Berlin", "BE", "3320", "52.52000", "13.40500"),
    ("FR", "Paris", "Ile-de-France", "IDF", "3215", "48.85660", "2.35220"),
    ("JP", "Tokyo", "Tokyo", "13", "2516", "35.67620", "139.65030"),
    ("AU", "Sydney", "New South Wales", "NSW", "1221", "-33.86880", "151.20930"),
    ("BR", "Sao Paulo", "Sao Paulo", "SP", "26599", "-23.55050", "-46.63330"),
    ("IN", "Bengaluru", "Karnataka", "KA", "24560", "12.97160", "77.59460"),
    ("CA", "Toronto", "Ontario", "ON", "812", "43.65320", "-79.38320"),
    ("SG", "Singapore", "Singapore", "01", "9506", "1.35210", "103.81980"),
    ("NL", "Amsterdam", "North Holland", "NH", "1136", "52.36760", "4.90410"),
    ("NG", "Lagos", "Lagos", "LA", "29465", "6.52440", "3.37920"),
    ("RO", "Bucharest", "Bucuresti", "B", "8708", "44.42680", "26.10250"),
]

# (user agent, ja3, ja4): a TLS fingerprint stays with its browser.
CLIENTS: List[Tuple[str, str, str]] = [
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
     "cd08e31494f9531f560d64c695473da9", "t13d1516h2_8daaf6152771_02713d6af862"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
     "773906b0efdefa24a7f2b8eb6985bf37", "t13d2014h2_a09f3c656075_14788d8d241b"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0",
     "579ccef312d18482fc42e2b822ca2430", "t13d1715h2_5b57614c22b0_3d5424432f57"),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36",
     "a497151ce4338a12c4418c44d375173e", "q13d0313h3_55b375c5d22e_c7319ce65786"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
     "e4d448cdfe06dc1243c1eb026c74ac9a", "t13d2013h2_a09f3c656075_7f0f34a4126d"),
    ("python-requests/2.31.0",
     "bc6c386f480ee97b9d9e52d472b772d8", "t13d1812h1_85036bcba153_375ca2c5e164"),
]

FIRST_NAMES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
               "mallory", "niaj", "olivia", "peggy", "rupert", "sybil"]
DOMAINS = ["example.com", "example.org", "example.net"]

PROJECT_NAMES = ["Default project", "Support Bot", "Search Ranking", "Data Pipeline", "Marketing Copy",
                 "Internal Tools", "Fraud Models", "Voice Agent"]

API_KEY_SCOPES = ["api.model.request", "api.model.read", "api.files.read", "api.files.write",
                  "api.assistants.read", "api.assistants.write", "api.fine_tuning.jobs.write",
                  "api.batch.write", "api.vector_stores.read", "api.responses.write"]

PERMISSIONS = ["api.organization.service_accounts.write", "api.organization.service_accounts.read",
               "api.organization.projects.write", "api.organization.projects.read",
               "api.organization.users.write", "api.organization.users.read",
               "api.organization.admin_api_keys.write", "api.audit_logs.read",
               "api.organization.groups.write", "api.organization.roles.write",
               "api.model.request", "api.files.read", "api.usage.read"]

LOGIN_ERRORS: List[Tuple[str, str]] = [
    ("invalid_credentials", "Wrong email or password."),
    ("mfa_failed", "The multi-factor authentication code is invalid or expired."),
    ("account_locked", "Too many failed login attempts. The account is temporarily locked."),
    ("sso_required", "Your organization requires single sign-on."),
    ("user_not_found", "No account exists for this email address."),
]

LOGOUT_ERRORS: List[Tuple[str, str]] = [
    ("session_expired", "The session had already expired."),
    ("invalid_session", "The session token is invalid."),
]

API_CALL_LOGGING = ["disabled", "enabled_per_call", "enabled_for_all_projects", "enabled_for_selected_projects"]
VISIBILITY = ["ANY_ROLE", "OWNERS", "NONE"]
ROLE_SOURCES = ["role_toggle", "role_connector_update", "role_delete", "workspace_permissions", "connector_publish"]
CONNECTORS: List[Tuple[str, str]] = [("connector_gdrive", "Google Drive"), ("connector_sharepoint", "SharePoint"),
                                     ("connector_github", "GitHub"), ("connector_slack", "Slack")]
OIDC_ISSUERS = ["https://token.actions.githubusercontent.com", "https://sts.windows.net/00000000-0000-0000-0000-000000000000/",
                "https://accounts.google.com", "https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE"]

ALLOWLIST_PREFIXES: Dict[int, List[str]] = {
    32: ["192.0.2.{}/32", "198.51.100.{}/32", "203.0.113.{}/32"],
    24: ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"],
    16: ["10.{}.0.0/16", "172.16.0.0/16", "192.168.0.0/16"],
}
