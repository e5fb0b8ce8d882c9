"""The PySide6 register: screens over the `tastingroom` engine. Screens ask the engine's
services for what they show and call them to act; they never touch storage."""
