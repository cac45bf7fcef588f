"""Files shipped with Sotong; installed as the package ``sotong_resources``."""
