"""The dialogs every screen asks with: a yes/no question (``confirm``), one line of text
(``ask``) and one thing shown in full (``detail``)."""
