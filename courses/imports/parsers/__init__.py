"""Parsing layer for course and question-bank imports.

Pure functions, no Django settings needed: raw content in, neutral records plus per-row issues out.

- ``tables``    uploaded bytes → tables of text (XLSX, CSV, JSON) or text (GIFT, Aiken), within limits
- ``encoding``  bytes → text (UTF-8 with/without BOM, GB18030/GBK, UTF-16 with BOM) and CSV rows
- ``answers``   the common Chinese question-bank template (题型, 题干, 选项A…H, 答案, 解析, 分值, 难度, 知识点, 外部编号)
- ``courses``   the course template (课程编号, 课程名称 … 章节, 课时 …)
- ``gift``      Moodle GIFT
- ``aiken``     Moodle Aiken, with the conventions Chinese authors use
- ``sanitize``  HTML in imported text made safe
- ``records``   the records and issues they return, and ``ParseError``

A question that has any issue is reported and left out; every record returned is complete.
Messages are ``courses.messages.Message``: Chinese source text, translated when someone reads it.
Mapping records to models (option ids, defaults, upserts) is the job of the layer above.
"""
