import pytest

from shared import config

pytestmark = pytest.mark.unit


def test_defaults_work_on_a_fresh_machine():
    settings = config.load(environ={})
    assert settings.database_url_for("intake") == "sqlite:///var/intake.sqlite3"
    assert settings.queue_type == "quorum"


def test_environment_overrides_the_yaml_file(tmp_path):
    path = tmp_path / "tsunagu.yaml"
    path.write_text("prefetch: 7\nmax_attempts: 2\n")
    settings = config.load(environ={"TSUNAGU_CONFIG": str(path), "TSUNAGU_PREFETCH": "9",
                                    "TSUNAGU_RETRY_DELAYS": "0.5,2"})
    assert settings.prefetch == 9 and settings.max_attempts == 2
    assert settings.retry_delays == (0.5, 2.0)


def test_postgresql_is_one_variable():
    settings = config.load(environ={
        "TSUNAGU_DATABASE_URL": "postgresql+psycopg2://127.0.0.1/tsunagu_{service}"})
    assert settings.database_url_for("referrals") == "postgresql+psycopg2://127.0.0.1/tsunagu_referrals"


@pytest.mark.parametrize("variable, value, named", [
    ("TSUNAGU_PREFETCH", "many", "TSUNAGU_PREFETCH"),
    ("TSUNAGU_QUEUE_TYPE", "stream", "quorum or classic"),
    ("TSUNAGU_DATABASE_URL", "postgresql://db/tsunagu", "{service}"),
    ("TSUNAGU_AMQP_URI", "http://broker", "TSUNAGU_AMQP_URI"),
    ("TSUNAGU_RETRY_DELAYS", "1,soon", "TSUNAGU_RETRY_DELAYS"),
])
def test_a_bad_setting_is_named_with_its_expected_form(variable, value, named):
    with pytest.raises(config.ConfigError) as error:
        config.load(environ={variable: value})
    assert named in str(error.value)
    assert "expected" in str(error.value)


def test_an_unknown_setting_in_the_file_is_refused(tmp_path):
    path = tmp_path / "tsunagu.yaml"
    path.write_text("prefech: 7\n")
    with pytest.raises(config.ConfigError, match="prefech"):
        config.load(environ={"TSUNAGU_CONFIG": str(path)})
