{#- Attributed orders and revenue per order date, channel and model. -#}
{{ credits_summed_by(ref('fct_attribution'), 'channel') }}
