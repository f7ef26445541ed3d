/**
 * Certificates (`POST /certificates`): a completed enrolment's certificate,
 * rendered as a PDF by the media service; claiming twice answers the first.
 *
 * @module
 */
import { createSign, generateKeyPairSync } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { EntityManager } from 'typeorm';
import { CertificateEntity, CourseEntity, EnrolmentEntity, LearnerEntity, type Certificate, type Enrolment } from '../db.js';
import { HttpError, intParam, type Ctx } from '../context.js';

const serialOf = (enrolmentId: number): string => `ACD-${String(enrolmentId).padStart(7, '0')}`;

async function fieldsOf(m: EntityManager, e: Enrolment): Promise<Record<string, string>> {
  const [learner, course] = await Promise.all([
    m.getRepository(LearnerEntity).findOne({ select: { id: true, name: true }, where: { id: e.learnerId } }),
    m.getRepository(CourseEntity).findOne({ where: { id: e.courseId }, relations: { instructor: true } }),
  ]);
  return {
    serial: serialOf(e.id), learner: learner!.name, course: course!.title, instructor: course!.instructor!.name,
    completedOn: (e.completedAt ?? new Date()).toISOString().slice(0, 10), hours: String(Math.round(course!.durationS / 3600)),
  };
}

/** Register the certificate routes. */
export async function certificateRoutes(app: FastifyInstance, { ctx }: { ctx: Ctx }): Promise<void> {
  app.post('/certificates', async (req, reply) => {
    const enrolmentId = intParam(((req.body ?? {}) as Record<string, unknown>).enrolmentId, 'enrolmentId');
    const enrolment = await ctx.db.getRepository(EnrolmentEntity).findOneBy({ id: enrolmentId });
    if (!enrolment) throw new HttpError(404, 'no such enrolment');
    if (enrolment.status !== 'completed') throw new HttpError(409, 'course not completed yet');
    const existing = await ctx.db.getRepository(CertificateEntity).findOneBy({ enrolmentId });
    if (existing) return reply.code(200).send(existing);

    let publicKey: string | null = null;
    let signature: string | undefined;
    if (ctx.fault === 'certificate-keypair-sync') {
      // One key pair per certificate, so a single certificate can be revoked by its key.
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      publicKey = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
      signature = createSign('sha256').update(serialOf(enrolmentId)).sign(pair.privateKey, 'base64');
    }
    let certificate: Certificate;
    if (ctx.fault === 'certificate-render-in-tx') {
      // "No certificate row without its PDF": row and render in one transaction.
      certificate = await ctx.db.transaction(async (m) => {
        const fields = await fieldsOf(m, enrolment);
        const row = await m.getRepository(CertificateEntity).save({
          enrolmentId, learnerId: enrolment.learnerId, courseId: enrolment.courseId, serial: fields.serial, documentUrl: '', sha256: '', publicKey, issuedAt: new Date(),
        });
        const doc = await ctx.media.renderCertificate(fields);
        row.documentUrl = doc.url;
        row.sha256 = doc.sha256;
        await m.getRepository(CertificateEntity).update({ id: row.id }, { documentUrl: doc.url, sha256: doc.sha256 });
        return row as Certificate;
      });
    } else {
      const fields = await fieldsOf(ctx.db.manager, enrolment);
      const doc = await ctx.media.renderCertificate(signature ? { ...fields, signature } : fields);
      const inserted = await ctx.db.createQueryBuilder().insert().into(CertificateEntity)
        .values({ enrolmentId, learnerId: enrolment.learnerId, courseId: enrolment.courseId, serial: fields.serial, documentUrl: doc.url, sha256: doc.sha256, publicKey, issuedAt: new Date() })
        .orIgnore().returning('*').execute();
      if (inserted.raw.length === 0) return reply.code(200).send(await ctx.db.getRepository(CertificateEntity).findOneBy({ enrolmentId }));
      certificate = { enrolmentId, serial: fields.serial, documentUrl: doc.url, sha256: doc.sha256, publicKey, learnerId: enrolment.learnerId, courseId: enrolment.courseId, id: (inserted.raw[0] as { id: number }).id, issuedAt: new Date() };
    }
    return reply.code(201).send(certificate);
  });
}
