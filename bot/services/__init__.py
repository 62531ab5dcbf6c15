"""The service layer: the one place Telegram handlers, HTTP intake and the scheduler call."""
