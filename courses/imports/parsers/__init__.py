"""Parsing layer for question-bank (题库) imports.

Pure functions, no Django: raw content in, neutral records plus per-row issues out.

- ``encoding``  bytes → text (UTF-8 with/without BOM, GB18030/GBK, UTF-16 with BOM) and CSV rows
- ``answers``   the common Chinese spreadsheet template (题型, 题干, 选项A…H, 答案, 解析, 分值, 难度, 知识点, 外部编号)
- ``gift``      Moodle GIFT
- ``aiken``     Moodle Aiken, with the conventions Chinese authors use

A question that has any issue is reported and left out; every record returned is complete.
Mapping records to models (option ids, defaults, upserts) is the job of the layer above.
"""
