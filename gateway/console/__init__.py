"""The adviser console's own data: private notes, canned replies, callback requests."""
