<#
.SYNOPSIS
Stops the Personae Docker Compose stack started by scripts/start.ps1: the Windows twin of
scripts/stop.

.DESCRIPTION
Stops and removes the containers; every named volume (databases, media, models, backups, logs)
and the secrets stay. With -Volumes it also deletes every volume: ALL DATA, backups included
(it asks first unless -Yes is given).

.PARAMETER Volumes
Also delete every volume of the stack.

.PARAMETER Yes
Do not ask before deleting the volumes.

.PARAMETER Services
Stop only these services.

.EXAMPLE
powershell -ExecutionPolicy Bypass -File scripts\stop.ps1
#>
[CmdletBinding()]
param(
  [switch]$Volumes,
  [switch]$Yes,
  [Parameter(ValueFromRemainingArguments = $true)]
  [string[]]$Services = @()
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$root = Split-Path -Parent $PSScriptRoot
Set-Location -LiteralPath $root
$composeFile = 'deploy/compose/docker-compose.yml'
$envFile = '.env'
if (-not (Test-Path -LiteralPath $envFile)) { $envFile = '.env.example' }

function Invoke-Compose([string[]]$Arguments) {
  & docker compose -f $composeFile --env-file $envFile @Arguments
  if ($LASTEXITCODE -ne 0) {
    throw "docker compose $($Arguments -join ' ') failed (exit code $LASTEXITCODE)"
  }
}

if (-not (Get-Command docker -ErrorAction SilentlyContinue)) {
  throw 'Docker is not installed'
}

if ($Services.Count -gt 0) {
  if ($Volumes) { throw '-Volumes applies to the whole stack, not to chosen services' }
  Invoke-Compose (@('stop') + $Services)
  exit 0
}

if ($Volumes) {
  if (-not $Yes) {
    $answer = Read-Host "Delete every Personae volume (databases, media, backups)? Type 'delete' to confirm"
    if ($answer -ne 'delete') {
      Write-Host 'nothing deleted'
      exit 1
    }
  }
  Invoke-Compose @('down', '--remove-orphans', '--volumes')
} else {
  Invoke-Compose @('down', '--remove-orphans')
}
