"""Pure rules shared by the commands: no file writing."""
