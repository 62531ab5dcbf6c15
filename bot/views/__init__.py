"""What people read: the incident card, its keyboard, the timeline, step prompts' keyboards.

Below both the handlers and the sender (ARCHITECTURE.md): the handlers build buttons with
the callback factories here, and the sender renders outbox rows through `OutboxRenderer`.
Views never query the database; they are given a read model (`bot/views/read_model.py`)
that a service loads once per render batch.
"""
