/** The tool's name and version, as the user agent and the ownership tag name it. */
export const TOOL_NAME = 'sagemaker-ip-allowlist'
export const TOOL_VERSION = '0.1.0'
