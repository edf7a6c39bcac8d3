// Placeholder until packages/db lands its real global setup.
export default async function setup(): Promise<void> {}
