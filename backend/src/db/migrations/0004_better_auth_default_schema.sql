-- Better Auth's tables take Better Auth's default column names (camelCase), so
-- that any other Better Auth app can share the database (issue 19). Renamed in
-- place: rows, ids, defaults, constraints and indexes stay; the foreign keys and
-- indexes named after the old columns are renamed too (drizzle-kit's draft
-- dropped and rebuilt them, which scans every row). Doable's own tables keep
-- their snake_case names.
ALTER TABLE "account" RENAME COLUMN "account_id" TO "accountId";--> statement-breakpoint
ALTER TABLE "account" RENAME COLUMN "provider_id" TO "providerId";--> statement-breakpoint
ALTER TABLE "account" RENAME COLUMN "user_id" TO "userId";--> statement-breakpoint
ALTER TABLE "account" RENAME COLUMN "access_token" TO "accessToken";--> statement-breakpoint
ALTER TABLE "account" RENAME COLUMN "refresh_token" TO "refreshToken";--> statement-breakpoint
ALTER TABLE "account" RENAME COLUMN "id_token" TO "idToken";--> statement-breakpoint
ALTER TABLE "account" RENAME COLUMN "access_token_expires_at" TO "accessTokenExpiresAt";--> statement-breakpoint
ALTER TABLE "account" RENAME COLUMN "refresh_token_expires_at" TO "refreshTokenExpiresAt";--> statement-breakpoint
ALTER TABLE "account" RENAME COLUMN "created_at" TO "createdAt";--> statement-breakpoint
ALTER TABLE "account" RENAME COLUMN "updated_at" TO "updatedAt";--> statement-breakpoint
ALTER TABLE "jwks" RENAME COLUMN "public_key" TO "publicKey";--> statement-breakpoint
ALTER TABLE "jwks" RENAME COLUMN "private_key" TO "privateKey";--> statement-breakpoint
ALTER TABLE "jwks" RENAME COLUMN "created_at" TO "createdAt";--> statement-breakpoint
ALTER TABLE "jwks" RENAME COLUMN "expires_at" TO "expiresAt";--> statement-breakpoint
ALTER TABLE "session" RENAME COLUMN "expires_at" TO "expiresAt";--> statement-breakpoint
ALTER TABLE "session" RENAME COLUMN "created_at" TO "createdAt";--> statement-breakpoint
ALTER TABLE "session" RENAME COLUMN "updated_at" TO "updatedAt";--> statement-breakpoint
ALTER TABLE "session" RENAME COLUMN "ip_address" TO "ipAddress";--> statement-breakpoint
ALTER TABLE "session" RENAME COLUMN "user_agent" TO "userAgent";--> statement-breakpoint
ALTER TABLE "session" RENAME COLUMN "user_id" TO "userId";--> statement-breakpoint
ALTER TABLE "session" RENAME COLUMN "impersonated_by" TO "impersonatedBy";--> statement-breakpoint
ALTER TABLE "user" RENAME COLUMN "email_verified" TO "emailVerified";--> statement-breakpoint
ALTER TABLE "user" RENAME COLUMN "created_at" TO "createdAt";--> statement-breakpoint
ALTER TABLE "user" RENAME COLUMN "updated_at" TO "updatedAt";--> statement-breakpoint
ALTER TABLE "user" RENAME COLUMN "ban_reason" TO "banReason";--> statement-breakpoint
ALTER TABLE "user" RENAME COLUMN "ban_expires" TO "banExpires";--> statement-breakpoint
ALTER TABLE "verification" RENAME COLUMN "expires_at" TO "expiresAt";--> statement-breakpoint
ALTER TABLE "verification" RENAME COLUMN "created_at" TO "createdAt";--> statement-breakpoint
ALTER TABLE "verification" RENAME COLUMN "updated_at" TO "updatedAt";--> statement-breakpoint
ALTER TABLE "account" RENAME CONSTRAINT "account_user_id_user_id_fk" TO "account_userId_user_id_fk";--> statement-breakpoint
ALTER TABLE "session" RENAME CONSTRAINT "session_user_id_user_id_fk" TO "session_userId_user_id_fk";--> statement-breakpoint
ALTER INDEX "account_user_id_idx" RENAME TO "account_userId_idx";--> statement-breakpoint
ALTER INDEX "session_user_id_idx" RENAME TO "session_userId_idx";--> statement-breakpoint
ALTER INDEX "user_created_at_id_idx" RENAME TO "user_createdAt_id_idx";
