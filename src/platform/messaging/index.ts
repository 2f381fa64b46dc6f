/**
 * Messaging: email (`../mail.ts`) and SMS behind one notification service, the SMS provider
 * and its signed callback, whose answers go to the module that sent the awaited message.
 */
export {
  answerRegistry,
  forgetOldSms,
  type InboundSms,
  type PlatformSmsResult,
  receiveSmsAnswer,
  type SmsAnswerHandler,
} from './answers.ts';
export {
  chooseChannel,
  createNotifier,
  type Delivery,
  type Notification,
  type Notifier,
  notifierFor,
  type Recipient,
} from './notify.ts';
export { maskPhone, normaliseMobile } from './phone.ts';
export { registerMessaging } from './routes.tsx';
export {
  CALLBACK_WINDOW_SECONDS,
  type SmsSender,
  signCallback,
  smsSenderFor,
  verifyCallback,
} from './sms.ts';
export { messagingMigrations } from './tables.ts';
