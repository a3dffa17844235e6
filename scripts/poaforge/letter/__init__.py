"""The letter: the POA composed once (``compose`` → ``letter.json``, ``schemas/letter.schema.json``)
and laid out in every format by thin writers: ``pdf`` (Typst), ``docx`` (pandoc), ``formtext``
(poa.txt, form.json), ``index`` (evidence index); ``words`` holds the language's labels, dates
and citations, ``opening`` the opening and re-appeal paragraphs, ``signed`` the signed scan,
``step`` the one pipeline step."""
