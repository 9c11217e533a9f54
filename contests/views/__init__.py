"""Contest pages, by who uses them: `public` (everyone: contests, boards, results, board JSON),
`contestant` (registration, the answering console), `organiser` (approvals, the round console),
`judge` (scoring). Every change goes through contests.services; views read, check who is asking
and turn service refusals into messages."""
