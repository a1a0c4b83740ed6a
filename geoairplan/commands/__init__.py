"""Sub-commands of the ``geoairplan`` CLI, one module each (see geoairplan.cli)."""
