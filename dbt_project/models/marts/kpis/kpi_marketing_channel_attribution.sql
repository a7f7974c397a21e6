{#- Attributed orders and revenue per order date, marketing channel and model. -#}
{{ credits_summed_by(ref('fct_attribution'), 'marketing_channel') }}
