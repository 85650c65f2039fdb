// The version kuberator reports (CLI --version, SARIF tool version).
export const VERSION = '0.1.0';
