"""Emergency call-outs: opt-in, raising a call-out, batches of emails nearest first, answers."""
