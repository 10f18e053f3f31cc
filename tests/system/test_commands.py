"""The account command as an operator uses it."""
import subprocess

from .conftest import PASSWORD, TSUNAGU


def _create(system, username, desk, *extra):
    return subprocess.run([TSUNAGU, "create-staff", username, "--desk", desk, "--password-stdin", *extra],
                          input=PASSWORD + "\n", env=system.env, capture_output=True, text=True, timeout=60)


def test_create_staff_checks_the_desk_the_password_and_the_name(system):
    assert "no desk 'nowhere' in the directory" in _create(system, "x1", "nowhere").stderr
    short = subprocess.run([TSUNAGU, "create-staff", "x2", "--desk", "chuo-csw", "--password-stdin"],
                           input="short\n", env=system.env, capture_output=True, text=True, timeout=60)
    assert short.returncode == 2 and "password: Length must be between 12" in short.stderr
    assert _create(system, "x3", "chuo-csw", "--role", "admin").returncode == 0
    taken = _create(system, "x3", "chuo-csw")
    assert taken.returncode == 2 and "taken" in taken.stderr
    assert _create(system, "x3", "chuo-csw", "--exist-ok").returncode == 0
    assert system.api("GET", "/me", "x3").json()["role"] == "admin"


def test_input_that_cannot_be_stored_gets_a_4xx_never_a_5xx(system):
    import requests
    base = f"{system.base}/api/v1"
    deep = requests.post(f"{base}/sessions", data=b"[" * 50_000 + b"]" * 50_000,
                         headers={"Content-Type": "application/json"}, timeout=10)
    assert deep.status_code == 400 and deep.headers["Content-Type"] == "application/problem+json"
    surrogate = requests.post(f"{base}/sessions", data=b'{"username": "x", "password": "\\ud800"}',
                              headers={"Content-Type": "application/json"}, timeout=10)
    assert surrogate.status_code == 400
    nul = requests.post(f"{base}/sessions", json={"username": "x\u0000", "password": "y"}, timeout=10)
    assert nul.status_code == 400
    assert system.api("GET", "/referrals/r%00x", "probe").status_code == 404
    assert system.api("GET", "/monitor/dead-letters/%C2%B2", "probe").status_code in (403, 404)
    assert requests.get(f"{system.base}/static/app.js%00", timeout=10).status_code == 404
    big = requests.post(f"{base}/sessions", data=b'{"username": "' + b"x" * 2_000_000 + b'"}',
                        headers={"Content-Type": "application/json"}, timeout=30)
    assert big.status_code == 413
    page = requests.post(f"{system.base}/login", data={"username": "probe", "password": "x"},
                         headers={"Origin": "https://elsewhere.example"}, timeout=10, allow_redirects=False)
    assert page.status_code == 403  # no signing a victim in from another site
