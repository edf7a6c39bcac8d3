-- AlterTable
ALTER TABLE "User" ADD COLUMN     "emailVerifiedAt" TIMESTAMP(3);

-- Every existing account was created by an administrator (pnpm admin user:add or pnpm db:seed),
-- which now vouches for the address.
UPDATE "User" SET "emailVerifiedAt" = "createdAt";
