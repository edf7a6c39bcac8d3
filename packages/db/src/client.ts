// The one way to build a Prisma client: Prisma 7's generated client on @prisma/adapter-pg, so no
// query-engine binary is needed at run time.
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.js';

export interface PrismaClientOptions {
  /** Connections this process may hold; pg's default is 10. */
  maxConnections?: number;
}

export function createPrismaClient(databaseUrl: string, options: PrismaClientOptions = {}): PrismaClient {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: options.maxConnections ?? 10 });
  return new PrismaClient({ adapter });
}
