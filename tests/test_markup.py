"""generator/markup.py: the built pages' mends, on markup as Material and Python-Markdown write it."""

from __future__ import annotations

import re

from crisisplan.markup import mend

TABLE = """<table>
<thead>
<tr>
<th>#</th>
<th>Who &amp; why</th>
<th>Status</th>
</tr>
</thead>
<tbody>
<tr>
<td>1</td>
<td>Sari &lt;b&gt;</td>
<td>–</td>
</tr>
<tr>
<td></td>
<td></td>
<td>☐ Open ☐ Done</td>
</tr>
</tbody>
</table>"""


def test_a_wide_table_gets_labels_and_marks_what_is_blank():
    page = mend(TABLE)
    assert "role=" not in page  # the Nu checker refuses roles on a table's own elements
    assert '<td data-label="Who &amp; why">Sari &lt;b&gt;</td>' in page
    assert '<td data-label="Status" data-empty="">–</td>' in page
    # a row of blanks and boxes to tick is a form's row: hidden on a phone
    assert page.count('<tr data-empty="">') == 1
    assert "data-form" not in page  # one row has something to read


def test_a_table_of_blank_rows_is_a_form():
    blank = re.sub(r"<td>[^<]*</td>", "<td></td>", TABLE)
    assert '<table data-form="">' in mend(blank)


def test_a_narrow_table_is_left_as_it_is():
    narrow = TABLE.replace("<th>Status</th>\n", "").replace("<td>–</td>\n", "")
    narrow = narrow.replace("<td>☐ Open ☐ Done</td>\n", "")
    assert mend(narrow) == narrow


HEADER = """<div class="md-header__topic">
          <span class="md-ellipsis">
            A · B &amp; Co · Social media crisis handbook
          </span>
        </div>
  <label class="md-nav__title" for="__drawer">
    <a href="index.html" title="A · B" class="md-nav__button md-logo" aria-label="x">
  <img src="assets/logo.svg" alt="logo">
    </a>
    A · B &amp; Co · Social media crisis handbook
  </label>"""


def test_the_title_is_split_from_the_company_at_the_last_separator():
    page = mend(HEADER)
    expected = 'A · B &amp; Co<span class="cp-header-title"> · Social media crisis handbook</span>'
    assert page.count(expected) == 2  # the header and the drawer


def test_the_logo_tooltip_is_escaped_once_and_cannot_end_its_attribute():
    once = '<a href="index.html" title="{}" class="md-header__button md-logo"'
    assert mend(once.format("A &amp;amp; B &amp;quot;x")) == once.format("A &amp; B &quot;x")
    assert mend(once.format("&amp;quot; onmouseover=&amp;quot;x")) == once.format(
        "&quot; onmouseover=&quot;x"
    )


def test_a_task_is_named_by_its_text_escaped():
    item = (
        '<li class="task-list-item"><label class="task-list-control"><input type="checkbox"'
        ' disabled=""><span class="task-list-indicator"></span></label> Call &quot;x&quot; &lt;now&gt;</li>'
    )
    assert 'aria-label="Call &quot;x&quot; &lt;now&gt;"' in mend(item)
