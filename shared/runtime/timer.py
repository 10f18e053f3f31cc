"""A nameko timer whose interval is a setting (by default TSUNAGU_DEADLINE_CHECK_INTERVAL)."""
from nameko.timer import Timer

from .settings import settings_of


class SettingsTimer(Timer):
    def __init__(self, setting: str = "deadline_check_interval", **kwargs):
        self.setting = setting
        super().__init__(interval=30, eager=True, **kwargs)

    def setup(self):
        self.interval = getattr(settings_of(self.container), self.setting)
        super().setup()
