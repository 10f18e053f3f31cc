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
    assert short.returncode == 2 and "12 characters" in short.stderr
    assert _create(system, "x3", "chuo-csw", "--role", "admin").returncode == 0
    taken = _create(system, "x3", "chuo-csw")
    assert taken.returncode == 2 and "taken" in taken.stderr
    assert _create(system, "x3", "chuo-csw", "--exist-ok").returncode == 0
    assert system.api("GET", "/me", "x3").json()["role"] == "admin"
