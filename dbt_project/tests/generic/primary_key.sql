{#- A key column: no NULL and no value twice, in one scan and one test node (dbt's `unique` and
    `not_null` take two of each). Each failing row says which it is. -#}
{% test primary_key(model, column_name) %}
select
    {{ column_name }} as key_value,
    case when {{ column_name }} is null then 'null' else 'duplicate' end as failure,
    count(*) as occurrences
from {{ model }}
group by {{ column_name }}
having {{ column_name }} is null or count(*) > 1
{% endtest %}
