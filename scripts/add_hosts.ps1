<#
.SYNOPSIS
Adds the host names of the Personae compose stack to the Windows hosts file, pointing at
127.0.0.1: the Windows twin of scripts/add_hosts.sh.

.DESCRIPTION
Adds api.localhost, traefik.localhost, grafana.localhost, portainer.localhost and
minio.localhost, and API_HOST, GRAFANA_HOST, PORTAINER_HOST and MINIO_HOST from .env when they
differ. Idempotent: the names live in one block between "# BEGIN personae" and "# END personae",
which every run replaces; nothing else in the file changes. Writing the system hosts file needs
Administrator rights: the script asks for them (UAC) when it does not have them.

.PARAMETER Remove
Remove the names instead.

.PARAMETER HostsFile
Work on this file instead of %SystemRoot%\System32\drivers\etc\hosts.

.PARAMETER Names
Add these names instead of the default ones.

.EXAMPLE
powershell -ExecutionPolicy Bypass -File scripts\add_hosts.ps1
#>
[CmdletBinding()]
param(
  [switch]$Remove,
  [string]$HostsFile = '',
  [Parameter(ValueFromRemainingArguments = $true)]
  [string[]]$Names = @()
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$root = Split-Path -Parent $PSScriptRoot
$systemHosts = Join-Path $env:SystemRoot 'System32\drivers\etc\hosts'
if (-not $HostsFile) { $HostsFile = $systemHosts }

$isAdministrator = ([Security.Principal.WindowsPrincipal][Security.Principal.WindowsIdentity]::GetCurrent()).IsInRole(
  [Security.Principal.WindowsBuiltInRole]::Administrator)
if ($HostsFile -eq $systemHosts -and -not $isAdministrator) {
  # Run again elevated, with the same arguments, and wait for it.
  $arguments = @('-NoProfile', '-ExecutionPolicy', 'Bypass', '-File', "`"$PSCommandPath`"")
  if ($Remove) { $arguments += '-Remove' }
  $arguments += $Names
  $process = Start-Process -FilePath (Get-Process -Id $PID).Path -Verb RunAs -ArgumentList $arguments -Wait -PassThru
  exit $process.ExitCode
}

if ($Names.Count -eq 0) {
  $Names = @('api.localhost', 'traefik.localhost', 'grafana.localhost', 'portainer.localhost', 'minio.localhost')
  $envFile = Join-Path $root '.env'
  if (Test-Path -LiteralPath $envFile) {
    foreach ($variable in @('API_HOST', 'GRAFANA_HOST', 'PORTAINER_HOST', 'MINIO_HOST')) {
      $line = Get-Content -LiteralPath $envFile | Where-Object { $_ -match "^$variable=" } | Select-Object -Last 1
      if ($line) {
        $value = $line.Substring($variable.Length + 1).Trim()
        if ($value) { $Names += $value }
      }
    }
  }
}
$unique = New-Object System.Collections.Generic.List[string]
foreach ($name in $Names) {
  if ($name -notmatch '^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$') { throw "'$name' is not a host name" }
  if (-not $unique.Contains($name)) { $unique.Add($name) }
}

$begin = '# BEGIN personae (scripts/add_hosts.sh)'
$end = '# END personae'
$current = @()
if (Test-Path -LiteralPath $HostsFile) { $current = @(Get-Content -LiteralPath $HostsFile) }

$updated = New-Object System.Collections.Generic.List[string]
$skipping = $false
foreach ($line in $current) {
  if ($line -eq $begin) { $skipping = $true; continue }
  if ($skipping -and $line -eq $end) { $skipping = $false; continue }
  if (-not $skipping) { $updated.Add($line) }
}
if (-not $Remove) {
  $updated.Add($begin)
  foreach ($name in $unique) { $updated.Add("127.0.0.1`t$name") }
  $updated.Add($end)
}

if (($current -join "`n") -eq ($updated -join "`n")) {
  Write-Host "$HostsFile is already up to date"
  exit 0
}
Set-Content -LiteralPath $HostsFile -Value $updated -Encoding ASCII
if ($HostsFile -eq $systemHosts) { & ipconfig /flushdns | Out-Null }
if ($Remove) {
  Write-Host "removed the Personae names from $HostsFile"
} else {
  Write-Host "$HostsFile now maps $($unique -join ', ') to 127.0.0.1"
}
