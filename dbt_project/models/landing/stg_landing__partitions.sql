{#- Every landed partition, and every re-landing of one, with the build that first saw it (`_batch_at`). -#}
with

manifests as (
    {{ landed_manifests() }}
)

select
    source,
    entity,
    ds,
    fingerprint,
    {{ batch_at() }} as _batch_at
from manifests
{% if is_incremental() %}
where not exists (
    select 1
    from {{ this }} as indexed
    where indexed.source = manifests.source
        and indexed.entity = manifests.entity
        and indexed.ds = manifests.ds
        and indexed.fingerprint = manifests.fingerprint
)
{% endif %}
