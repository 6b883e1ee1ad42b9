"""The notice screen: a letter's summary and trust state, and its actions pay now, pay later, object."""
