"""contacts-tui: the Sales Management → Contacts module in a terminal."""
