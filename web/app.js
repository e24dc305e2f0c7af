// Sigilo web chat: privacy notice and consent first, then the rasa-webchat widget.
// The visitor's language (from the browser, or ?lang=es|pt|en) is sent to Rasa as
// the message metadata; no name or other personal data is asked or collected here.
(function () {
  "use strict";

  var TEXT = {
    es: {
      title: "Antes de empezar",
      disclaimer:
        "Sigilo es el asistente de atención al cliente. Guarda la conversación para responderte, " +
        "nunca tu dirección IP ni tu navegador, y no te pide el nombre. Si decides consultar tus " +
        "facturas, te pedirá tu documento fiscal solo con tu permiso. Puedes ver y borrar tus datos " +
        "en cualquier momento desde «Privacidad».",
      consent: "He leído este aviso y la política de privacidad, y acepto.",
      start: "Empezar el chat",
      privacy: "Política de privacidad",
      hint: "Escribe un mensaje…",
      subtitle: "Tus datos son tuyos",
    },
    pt: {
      title: "Antes de começar",
      disclaimer:
        "O Sigilo é o assistente de atendimento. Ele guarda a conversa para responder, nunca seu " +
        "endereço IP nem seu navegador, e não pede seu nome. Se quiser consultar suas faturas, ele " +
        "pedirá seu documento fiscal só com sua autorização. Você pode ver e apagar seus dados a " +
        "qualquer momento em «Privacidade».",
      consent: "Li este aviso e a política de privacidade, e concordo.",
      start: "Começar o chat",
      privacy: "Política de privacidade",
      hint: "Digite uma mensagem…",
      subtitle: "Seus dados são seus",
    },
    en: {
      title: "Before we chat",
      disclaimer:
        "Sigilo is the customer-service assistant. It keeps the conversation to answer you, never " +
        "your IP address or browser, and it does not ask your name. If you choose to check your " +
        "invoices, it asks for your tax id only with your permission. You can see and erase your " +
        "data at any time from “Privacy”.",
      consent: "I have read this notice and the privacy policy, and I agree.",
      start: "Start chat",
      privacy: "Privacy policy",
      hint: "Type a message…",
      subtitle: "Your data is yours",
    },
  };
  var CONSENT_KEY = "sigilo_web_consent";

  function pickLanguage() {
    var wanted = new URLSearchParams(window.location.search).get("lang");
    var candidates = [wanted].concat(navigator.languages || [navigator.language]);
    for (var i = 0; i < candidates.length; i++) {
      var code = String(candidates[i] || "").slice(0, 2).toLowerCase();
      if (TEXT[code]) return code;
    }
    return "en";
  }

  function startChat(language, text) {
    document.getElementById("consent").hidden = true;
    var chat = document.getElementById("chat");
    chat.hidden = false;
    var config = window.SIGILO_CONFIG || {};
    window.WebChat.default(
      {
        socketUrl: config.socketUrl,
        socketPath: "/socket.io/",
        initPayload: "/greet",
        customData: { language: language },
        title: "Sigilo",
        subtitle: text.subtitle,
        inputTextFieldHint: text.hint,
        embedded: true,
        showFullScreenButton: false,
        showMessageDate: false,
        params: { storage: "session" },
      },
      chat
    );
  }

  function init() {
    var language = pickLanguage();
    var text = TEXT[language];
    document.documentElement.lang = language;
    document.getElementById("consent-title").textContent = text.title;
    document.getElementById("disclaimer").textContent = text.disclaimer;
    document.getElementById("consent-label").textContent = text.consent;
    var link = document.getElementById("privacy-link");
    link.textContent = text.privacy;
    link.href = "/privacy.html?lang=" + language;
    var box = document.getElementById("consent-box");
    var button = document.getElementById("start-chat");
    button.textContent = text.start;
    box.addEventListener("change", function () {
      button.disabled = !box.checked;
    });
    button.addEventListener("click", function () {
      if (!box.checked) return;
      sessionStorage.setItem(CONSENT_KEY, language);
      startChat(language, text);
    });
    if (sessionStorage.getItem(CONSENT_KEY)) startChat(language, text);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
