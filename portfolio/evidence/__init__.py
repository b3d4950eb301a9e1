"""Evidence: a trainee's items from practice, linked to indicators and tools, and their files.

``models`` (live items and the frozen versions handed in), ``services`` (every write, with
its actor), ``queries`` (plain data for pages), ``forms``, ``views``, ``quota`` and
``uploads/`` (recognising, checking, describing and storing files).
"""
