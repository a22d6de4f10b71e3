"""contacts-tui: the Sales Management → Contacts module in a terminal."""

import sys

# Start as an installed app does: from bytecode. Where PYTHONDONTWRITEBYTECODE is set (this
# project's servers set it), every start would compile Textual, Rich and peewee again
# (~2.5x the start). uv's `compile-bytecode` setting is no cure: `uv run` then recompiles
# the whole environment at every start (astral-sh/uv#12202). The caches are written once,
# by the first start; where the environment is read-only, Python just goes without.
sys.dont_write_bytecode = False
