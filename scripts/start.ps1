<#
.SYNOPSIS
Starts the Personae Docker Compose stack (deploy/compose/docker-compose.yml): the Windows twin of
scripts/start.

.DESCRIPTION
First run: creates .env from .env.example and the secrets in deploy/compose/secrets (random values,
one file per Docker secret), builds the Personae image, starts everything and waits until the API
is healthy. Existing secrets and .env are never overwritten. Needs Docker Desktop with Compose
v2.20 or later. scripts/stop.ps1 stops the stack; docs/deployment.md explains it.

.PARAMETER NoBuild
Use APP_IMAGE as it is (pulled from a registry, or built before) instead of building it.

.PARAMETER Services
Start only these services (and what they depend on).

.EXAMPLE
powershell -ExecutionPolicy Bypass -File scripts\start.ps1
#>
[CmdletBinding()]
param(
  [switch]$NoBuild,
  [Parameter(ValueFromRemainingArguments = $true)]
  [string[]]$Services = @()
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$root = Split-Path -Parent $PSScriptRoot
Set-Location -LiteralPath $root
$composeFile = 'deploy/compose/docker-compose.yml'
$secretsDir = Join-Path $root 'deploy/compose/secrets'
$envFile = '.env'
$utf8 = New-Object System.Text.UTF8Encoding($false)

function Invoke-Compose([string[]]$Arguments) {
  & docker compose -f $composeFile --env-file $envFile @Arguments
  if ($LASTEXITCODE -ne 0) {
    throw "docker compose $($Arguments -join ' ') failed (exit code $LASTEXITCODE)"
  }
}

# Runs a native command with its standard error dropped (Windows PowerShell 5.1 turns redirected
# standard error into errors, which 'Stop' would make fatal).
function Get-NativeOutput([scriptblock]$Command) {
  $previous = $ErrorActionPreference
  $ErrorActionPreference = 'Continue'
  try { return (& $Command 2>$null) } finally { $ErrorActionPreference = $previous }
}

if (-not (Get-Command docker -ErrorAction SilentlyContinue)) {
  throw 'Docker is not installed (https://docs.docker.com/desktop/install/windows-install/)'
}
$composeVersion = Get-NativeOutput { docker compose version --short }
if ($LASTEXITCODE -ne 0 -or -not $composeVersion) {
  throw "The Docker Compose plugin is missing ('docker compose' must work)"
}
$parts = ($composeVersion.Trim().TrimStart('v') -split '\.')
if ([int]$parts[0] -lt 2 -or ([int]$parts[0] -eq 2 -and [int]$parts[1] -lt 20)) {
  throw "Docker Compose $composeVersion is too old; 2.20 or later is needed"
}

if (-not (Test-Path -LiteralPath $envFile)) {
  Copy-Item -LiteralPath '.env.example' -Destination $envFile
  Write-Host "created $envFile from .env.example (edit it to change ports, hosts, limits)"
}

# --- Secrets: one file per Docker secret, random, created once -----------------------------------
function New-RandomText([int]$Length) {
  $alphabet = [char[]]'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  $generator = [System.Security.Cryptography.RandomNumberGenerator]::Create()
  $bytes = New-Object byte[] 64
  $text = New-Object System.Text.StringBuilder
  try {
    while ($text.Length -lt $Length) {
      $generator.GetBytes($bytes)
      foreach ($byte in $bytes) {
        # 248 = 4 x 62: keeping only bytes below it leaves every character equally likely.
        if ($byte -lt 248 -and $text.Length -lt $Length) { [void]$text.Append($alphabet[$byte % 62]) }
      }
    }
  } finally {
    $generator.Dispose()
  }
  return $text.ToString()
}

function Write-Secret([string]$Name, [string]$Value) {
  [System.IO.File]::WriteAllText((Join-Path $secretsDir $Name), $Value, $utf8)
}

$created = New-Object System.Collections.Generic.List[string]
function Confirm-Secret([string]$Name, [int]$Length, [string]$Prefix = '') {
  $path = Join-Path $secretsDir $Name
  if (-not (Test-Path -LiteralPath $path) -or (Get-Item -LiteralPath $path).Length -eq 0) {
    Write-Secret $Name ($Prefix + (New-RandomText $Length))
    $created.Add($Name)
  }
}

New-Item -ItemType Directory -Force -Path $secretsDir | Out-Null
Confirm-Secret 'postgres_password' 32
Confirm-Secret 'db_password' 32
Confirm-Secret 'db_monitor_password' 32
Confirm-Secret 'redis_password' 32
Confirm-Secret 'minio_root_user' 16 'admin-'
Confirm-Secret 'minio_root_password' 40
Confirm-Secret 's3_access_key' 20 'personae-'
Confirm-Secret 's3_secret_key' 40
Confirm-Secret 'metrics_token' 48
Confirm-Secret 'grafana_admin_password' 24
Confirm-Secret 'portainer_admin_password' 24
# Derived from redis_password, rewritten every time so that they always agree with it.
$redisPassword = [System.IO.File]::ReadAllText((Join-Path $secretsDir 'redis_password')).Trim()
Write-Secret 'redis_url' "redis://:$redisPassword@redis:6379/0"
Write-Secret 'redis_exporter_passwords.json' "{`"redis://redis:6379`": `"$redisPassword`"}"
Remove-Variable redisPassword
if ($created.Count -gt 0) {
  Write-Host "created secrets in deploy/compose/secrets: $($created -join ', ')"
}

# --- Build and start -----------------------------------------------------------------------------
if (-not $NoBuild) {
  Write-Host 'building the Personae image (the first build compiles for several minutes)'
  Invoke-Compose @('build', 'api')
}
Invoke-Compose (@('up', '-d', '--no-build', '--remove-orphans') + $Services)

# --- Wait for the API ----------------------------------------------------------------------------
if ($Services.Count -eq 0 -or $Services -contains 'api') {
  Write-Host 'waiting for the API to be healthy (migrations run first)'
  $timeout = 300
  if ($env:START_TIMEOUT) { $timeout = [int]$env:START_TIMEOUT }
  $deadline = (Get-Date).AddSeconds($timeout)
  $status = 'starting'
  while ((Get-Date) -lt $deadline) {
    $container = Get-NativeOutput { docker compose -f $composeFile --env-file $envFile ps -q api } | Select-Object -First 1
    if ($container) {
      $status = Get-NativeOutput { docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' $container }
      if ($status -eq 'healthy') { break }
    }
    Start-Sleep -Seconds 3
  }
  if ($status -ne 'healthy') {
    Write-Host "the API is not healthy after ${timeout}s (status: $status). See:"
    Write-Host "  docker compose -f $composeFile --env-file $envFile logs migrate api"
    exit 1
  }
}

function Get-Setting([string]$Name, [string]$Default) {
  $line = Get-Content -LiteralPath $envFile | Where-Object { $_ -match "^$Name=" } | Select-Object -Last 1
  if ($line) { return $line.Substring($Name.Length + 1) }
  return $Default
}
$port = Get-Setting 'HTTP_PORT' '80'
$suffix = ''
if ($port -ne '80') { $suffix = ":$port" }
Write-Host ''
Write-Host 'Personae is running.'
Write-Host "  http://$(Get-Setting 'API_HOST' 'api.localhost')$suffix/                the dashboard and the API"
Write-Host "  http://localhost$suffix/api/v1/version    the API through localhost"
Write-Host "  http://localhost$suffix/health            liveness"
Write-Host "  http://localhost:$(Get-Setting 'TRAEFIK_DASHBOARD_PORT' '8081')/dashboard/  Traefik"
Write-Host "  http://$(Get-Setting 'GRAFANA_HOST' 'grafana.localhost')$suffix/    Grafana (admin; password in deploy\compose\secrets\grafana_admin_password)"
Write-Host "  http://$(Get-Setting 'PORTAINER_HOST' 'portainer.localhost')$suffix/  Portainer (admin; password in deploy\compose\secrets\portainer_admin_password)"
Write-Host "  http://$(Get-Setting 'MINIO_HOST' 'minio.localhost')$suffix/      MinIO console (deploy\compose\secrets\minio_root_user and minio_root_password)"
Write-Host "The first account: docker compose -f $composeFile --env-file $envFile exec api personae tenant create --name `"My agency`""
Write-Host 'If a *.localhost name does not resolve, run scripts\add_hosts.ps1 as Administrator.'
