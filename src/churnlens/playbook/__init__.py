"""The marketing playbook: each scored customer's state, one recommended action, what it is worth.

`states` puts every customer in a state (active, at risk, lapsing, lapsed) from her own rhythm
and the shop's return horizon, and bands risk by rank; `rules` turns state, risk, value,
dormancy, promo sensitivity and segment into one action per customer by documented,
configurable rules (`PlaybookConfig.rules`); `uplift` measures what a promotion does to
repurchase from the shop's own history; `campaign` prices every action (expected value =
P(churn) x value x save rate - contact cost; a negative one means no contact) and sums them per
action; `sentences` writes each customer's reason from the numbers of her own row; `routine`
lists the products each customer reorders and is due for; `export` writes the actions, the
at-risk list or the win-back list for CRM tools. `stage` wires them into the pipeline (results
``actions``, ``campaign_summary``, ``routine_products``, ``customer_states``, ``promo_uplift``
and ``playbook_inputs``, which says what the playbook could and could not use).
"""
