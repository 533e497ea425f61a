#!/usr/bin/env bash
# Adds an EF Core migration named NAME to every context on every provider:
#   catalog  (Portal.Core/Catalog/Migrations/{Sqlite,PostgreSql})
#   identity (Portal/Data/Migrations/{Sqlite,PostgreSql})
#
#   scripts/add-migration.sh NAME              # add NAME beside the existing migrations
#   scripts/add-migration.sh --recreate NAME   # delete all migrations first and start again from NAME
#                                              # (only before a release: existing databases would not upgrade)
# Uses the repository's local dotnet-ef (.config/dotnet-tools.json); generating never connects to a database.
set -euo pipefail
cd "$(dirname "$0")/.."

recreate=false
if [ "${1:-}" = "--recreate" ]; then
  recreate=true
  shift
fi
name="${1:-}"
if [ -z "$name" ] || [[ ! "$name" =~ ^[A-Za-z][A-Za-z0-9_]*$ ]]; then
  echo "usage: $0 [--recreate] MigrationName" >&2
  exit 2
fi

dotnet tool restore >/dev/null

# context | project | startup project | output folder (relative to the project)
migrations=(
  "SqliteCatalogDbContext|Portal.Core|Portal.Jobs|Catalog/Migrations/Sqlite"
  "PostgresCatalogDbContext|Portal.Core|Portal.Jobs|Catalog/Migrations/PostgreSql"
  "SqlitePortalIdentityDbContext|Portal|Portal|Data/Migrations/Sqlite"
  "PostgresPortalIdentityDbContext|Portal|Portal|Data/Migrations/PostgreSql"
)

if $recreate; then
  for entry in "${migrations[@]}"; do
    IFS='|' read -r _ project _ folder <<<"$entry"
    rm -rf "${project:?}/${folder:?}"
  done
fi

# Build once; each `dotnet ef` call then reuses the build.
dotnet build Portal --nologo -v quiet

for entry in "${migrations[@]}"; do
  IFS='|' read -r context project startup folder <<<"$entry"
  echo "== $context -> $project/$folder/$name"
  dotnet ef migrations add "$name" \
    --no-build \
    --project "$project" --startup-project "$startup" \
    --context "$context" --output-dir "$folder"
done
