"""Action: the escalation plan, document drafting and deadlines in Chinese working days."""
