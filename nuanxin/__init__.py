"""暖心 Nuanxin: trade-union care for frontline epidemic medical workers and their families."""

__version__ = "0.1.0"
