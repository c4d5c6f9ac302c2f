"""The relative merits of the five levels, measured (chapter 10; Hwang et al. 2011,
sec. 3.1.1, Table 3.1).

``workloads.py``     six small RV32 programs (compute, syscall, file, page_table, device,
                     process), and bare-metal forms for the hardware level
``runners.py``       one runner per level variant: a workload's modeled cycles; the
                     boundary of what each level's figure includes
``cells.py``         a measurement or the reason there is none (never an invented number)
``performance.py``   overhead per level per workload, from the ledger
``flexibility.py``   which level runs which kind of program, by really trying
``complexity.py``    lines, cyclomatic complexity (lizard), mechanisms of each level's code
``isolation.py``     an attack battery per level: contained / escaped / not tried
``scores.py``        1-5 scores from the measurements by stated rules; the lecture's table
``report.py``        the tables as text (``vlab merits``)
``chapter.py``       the chapter's experiments (plots, sliders)
"""
