"""A nameko timer whose interval comes from the settings (TSUNAGU_DEADLINE_CHECK_INTERVAL)."""
from nameko.timer import Timer

from .settings import settings_of


class SettingsTimer(Timer):
    def __init__(self, **kwargs):
        super().__init__(interval=30, eager=True, **kwargs)

    def setup(self):
        self.interval = settings_of(self.container).deadline_check_interval
        super().setup()
