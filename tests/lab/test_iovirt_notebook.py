"""The draft I/O-virtualization section of chapter 5 (vlab/lab/iovirt/
chapter5_io_section.ipynb) follows the chapters' conventions, so it can be merged as is:
executed outputs, each experiment shown once (plain cell tagged remove-output, widget
cell tagged remove-input and nbval-ignore-output), widget state stored, self-checking
questions with one right answer, references."""
import json
import re
from pathlib import Path

import vlab.lab.iovirt

NOTEBOOK = Path(vlab.lab.iovirt.__file__).with_name('chapter5_io_section.ipynb')


def load():
    return json.loads(NOTEBOOK.read_text())


def test_every_code_cell_has_stored_outputs_without_addresses():
    for cell in load()['cells']:
        if cell['cell_type'] == 'code' and 'remove-input' not in cell['metadata'].get('tags', []):
            assert cell['outputs'], ''.join(cell['source'])
            assert ' at 0x' not in json.dumps(cell['outputs'])


def test_each_experiment_is_a_plain_cell_then_a_widget_cell_with_stored_state():
    nb = load()
    cells = nb['cells']
    widget_cells = [i for i, c in enumerate(cells)
                    if 'nbval-ignore-output' in c['metadata'].get('tags', [])]
    assert len(widget_cells) == 2
    stored = json.dumps(nb['metadata']['widgets'])
    for i in widget_cells:
        assert 'remove-input' in cells[i]['metadata']['tags']
        assert 'remove-output' in cells[i - 1]['metadata']['tags']
        assert 'show_result()' in ''.join(cells[i - 1]['source'])
        view = cells[i]['outputs'][0]['data']['application/vnd.jupyter.widget-view+json']
        assert view['model_id'] in stored


def test_questions_and_references():
    text = '\n'.join(''.join(c['source']) for c in load()['cells'] if c['cell_type'] == 'markdown')
    questions = re.findall(r'<div class="vlab-quiz">(.*?)</div>', text, re.S)
    assert len(questions) >= 2
    for question in questions:
        options = re.findall(r'<details.*?</details>', question, re.S)
        assert len(options) >= 2 and sum('✓ Right.' in o for o in options) == 1
        assert '\n\n' not in question
    assert '\n## References\n' in text and 'DESIGN' not in text
