"""The marketing playbook: one recommended action per scored customer and what it is worth.

`rules` turns churn risk, value, dormancy, promo sensitivity and segment into one action per
customer by documented, configurable rules (`PlaybookConfig.rules`); `routine` lists the
products each customer reorders and is due for; `campaign` prices every action (expected value
= P(churn) x value x save rate - contact cost) and sums them per action; `export` writes the
actions for CRM tools. `stage` wires them into the pipeline (results ``actions``,
``campaign_summary`` and ``playbook_inputs``, which says what the playbook could and could not
use).
"""
