"""``geoairplan suspects``: placeholder until its capability lands (replace this module)."""


def add_parser(sub) -> None:
    pass
