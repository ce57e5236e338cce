// Placeholder until the CLI lands: keeps the build and the bin runnable.
export async function main(argv: string[]): Promise<number> {
  process.stdout.write(`sentinel-compose: not built yet (${argv.join(' ')})\n`);
  return 0;
}
